SELECT comment, expiry_time - creation_time AS lifetime_ms FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com' ORDER BY comment;
