-- an admin replaces every grant with alice's alone (PUT: the users group loses CAN_USE), then reads the list;
-- an unknown user is refused with 400 and changes nothing
REPLACE databricks_workspace.workspace.token_permissions
SET data__access_control_list = '[{"user_name": "alice@example.com", "permission_level": "CAN_USE"}]'
WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com';
SELECT group_name, user_name, display_name, json_extract(all_permissions, '$[0].permission_level') AS permission_level
FROM databricks_workspace.workspace.token_permissions
WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com';
REPLACE databricks_workspace.workspace.token_permissions
SET data__access_control_list = '[{"user_name": "nobody@example.com", "permission_level": "CAN_USE"}]'
WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com';
