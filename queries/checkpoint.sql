-- writes the database's changes into its file, freeing blocks left empty by deletes; params: none
checkpoint
