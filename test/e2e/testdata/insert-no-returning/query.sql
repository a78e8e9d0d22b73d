INSERT INTO databricks_workspace.workspace.user_tokens (data__comment, deployment_name) SELECT 'default lifetime', 'dbc-abcd0123-a1bc.cloud.databricks.com';
SELECT comment, expiry_time - creation_time FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com';
