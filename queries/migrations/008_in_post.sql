-- Whether a participant was still in the job six months after its start, where the partner follows up
-- (null: not followed up, or no job).
alter table participant add column in_post_6_months boolean;
