-- keeps a register load inside the memory of a small server: DuckDB spills to disk past this; params: none
set memory_limit = '1GB'
