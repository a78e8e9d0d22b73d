-- -f writes the results to a file, as the engine's -f does; stdout stays empty
SELECT comment FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com' ORDER BY comment;
