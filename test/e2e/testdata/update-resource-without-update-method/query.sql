UPDATE databricks_workspace.workspace.user_tokens SET data__comment = 'x' WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com';
