INSERT INTO databricks_workspace.workspace.user_tokens (data__lifetime, deployment_name) SELECT 60, 'dbc-abcd0123-a1bc.cloud.databricks.com';
