SELECT COUNT(*) AS n FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com';
