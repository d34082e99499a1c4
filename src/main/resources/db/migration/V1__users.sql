-- The mirror of the upstream directory: a few columns to query by, the whole object as it came.
CREATE TABLE users (
  id         bigint      PRIMARY KEY,
  name       text        NOT NULL,
  username   text,
  email      text,
  profile    jsonb       NOT NULL,
  fetched_at timestamptz NOT NULL
);

CREATE INDEX users_fetched_at ON users (fetched_at);
