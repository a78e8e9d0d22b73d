-- one line per request and per response on stderr (masking: see revoke-with-token-value-masked)
INSERT INTO databricks_workspace.workspace.user_tokens (data__lifetime_seconds, data__comment, deployment_name)
SELECT 3600, 'ci', 'dbc-abcd0123-a1bc.cloud.databricks.com'
RETURNING token_info, token_value;
SELECT token_id, comment FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com';
EXEC databricks_workspace.workspace.user_tokens.revoketoken @deployment_name='dbc-abcd0123-a1bc.cloud.databricks.com' @@json='{"token_id": "{{ token_id }}"}';
