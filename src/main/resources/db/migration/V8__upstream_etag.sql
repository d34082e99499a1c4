-- The directory's ETag of the user as stored (a single-user read; null when the directory sent none, or the
-- copy came from a bulk read, a page of the walk): a refresh sends it as If-None-Match, and a 304 renews
-- fetched_at alone. It is always the ETag of the content in the same row: every write sets it, null included.
ALTER TABLE users ADD COLUMN upstream_etag text;
