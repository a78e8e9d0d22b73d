-- The first row's token is created before the second is refused: its
-- token_value is still printed, since it can never be read again.
INSERT INTO databricks_workspace.workspace.user_tokens (data__lifetime_seconds, data__comment, deployment_name)
VALUES (3600, 'kept', 'dbc-abcd0123-a1bc.cloud.databricks.com'), (0, 'refused', 'dbc-abcd0123-a1bc.cloud.databricks.com')
RETURNING token_value, token_info;
