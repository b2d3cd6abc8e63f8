-- The disclosure threshold of each network: counts of people from 1 to threshold-1 are hidden from
-- funders and the public (dashboard.disclosure); 5 follows UK official-statistics practice.
alter table network add column disclosure_threshold integer default 5
