-- statements from stdin, separated by semicolons; a ';' inside a string or comment does not split
SELECT COUNT(*) AS n FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com' AND comment != 'a;b'; -- trailing; comment
SELECT comment FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com'
