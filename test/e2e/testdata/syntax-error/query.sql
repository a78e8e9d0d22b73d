INSERT INTO databricks_workspace.workspace.user_tokens (data__comment, deployment_name)
VALUES ('never sent', 'dbc-abcd0123-a1bc.cloud.databricks.com') RETURNING token_value;
SELECT token_id
FROM databricks_workspace.workspace.user_tokens
WHER deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com';
