-- a permission-levels answer without permission_levels is no rows, not an error (the list's response transform)
SELECT permission_level, description FROM databricks_workspace.workspace.token_permission_levels WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com';
