-- the Charity Commission extract's own date (its date_of_extract column); params: $path, $columns
select max(try_cast(left(trim(date_of_extract), 10) as date)) as release_date
from read_csv($path, header = true, auto_detect = false, columns = $columns, delim = '\t', quote = '', escape = '',
    strict_mode = false, null_padding = true)
