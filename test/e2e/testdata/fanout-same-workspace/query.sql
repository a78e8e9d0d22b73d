-- duplicates in IN are one request; the parameter is a column too
SELECT deployment_name, comment FROM databricks_workspace.workspace.user_tokens
WHERE deployment_name IN ('dbc-abcd0123-a1bc.cloud.databricks.com', 'dbc-abcd0123-a1bc.cloud.databricks.com') ORDER BY comment;
