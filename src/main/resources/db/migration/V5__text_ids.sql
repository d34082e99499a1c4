-- Ids are the directory's, as text (a UUID, an Okta id, auth0|…), compared exactly and ordered byte by byte
-- (COLLATE "C": the keyset pages of GET /store/users and of the job queue, whatever the server's locale).
-- Every row is kept: an integer id becomes its decimal text.
ALTER TABLE users ALTER COLUMN id TYPE text COLLATE "C" USING id::text;
ALTER TABLE sync_jobs ALTER COLUMN user_id TYPE text COLLATE "C" USING user_id::text;
ALTER TABLE user_changes ALTER COLUMN user_id TYPE text COLLATE "C" USING user_id::text;
