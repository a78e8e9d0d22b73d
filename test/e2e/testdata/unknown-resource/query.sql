SELECT * FROM databricks_workspace.workspace.user_token WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com';
