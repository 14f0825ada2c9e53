-- API tokens may expire: a token past `expires_at` authenticates no one (NULL: never).
ALTER TABLE api_tokens ADD COLUMN expires_at TIMESTAMPTZ;
CREATE INDEX api_tokens_user ON api_tokens (user_id);
