INSERT INTO databricks_workspace.workspace.user_tokens (data__lifetime_seconds, data__comment, deployment_name)
SELECT {{ lifetime }}, 'from a file', 'dbc-abcd0123-a1bc.cloud.databricks.com';
SELECT comment, expiry_time - creation_time AS lifetime_ms
FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com';
