-- The walk follows the directory's own paging (sync.listNext): beside its position in entries, the cursor
-- of the next page (a next URL or a token, as the directory gave it), committed with each page, so that an
-- interrupted walk resumes from it. NULL: the walk pages by offset, or it is at the first page.
ALTER TABLE sync_walk ADD COLUMN next_cursor text;
