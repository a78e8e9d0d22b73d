-- --dryrun prints each request and sends none; secrets are masked
SELECT token_id FROM databricks_workspace.workspace.user_tokens WHERE deployment_name IN ('dbc-abcd0123-a1bc.cloud.databricks.com', 'dbc-other.cloud.databricks.com');
INSERT INTO databricks_workspace.workspace.user_tokens (data__lifetime_seconds, data__comment, deployment_name)
SELECT 3600, 'pasted dapi0123456789abcdef0123456789abcdef by mistake', 'dbc-abcd0123-a1bc.cloud.databricks.com' RETURNING token_value;
EXEC databricks_workspace.workspace.user_tokens.revoketoken @deployment_name='dbc-abcd0123-a1bc.cloud.databricks.com' @@json='{"token_id": "abc"}';
