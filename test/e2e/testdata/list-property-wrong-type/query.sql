-- a property of the wrong JSON type is an error, not a row of NULLs
SELECT token_id FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com';
