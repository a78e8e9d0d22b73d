SELECT comment, expiry_time - creation_time AS lifetime_ms FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = 'dbc-abcd0123-a1bc' ORDER BY comment;
