-- an admin grants a service principal CAN_USE (PATCH: the users group keeps its grant), then reads the list
UPDATE databricks_workspace.workspace.token_permissions
SET data__access_control_list = '[{"service_principal_name": "5e6f7a8b-1c2d-4e3f-9a0b-c1d2e3f4a5b6", "permission_level": "CAN_USE"}]'
WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com';
SELECT group_name, service_principal_name, display_name, json_extract(all_permissions, '$[0].permission_level') AS permission_level
FROM databricks_workspace.workspace.token_permissions
WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com';
