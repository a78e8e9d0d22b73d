-- an admin reads who may use tokens: the admins group's CAN_MANAGE, then the direct grants (a new workspace's users group CAN_USE)
SELECT group_name, user_name, service_principal_name, display_name,
json_extract(all_permissions, '$[0].permission_level') AS permission_level,
json_extract(all_permissions, '$[0].inherited') AS inherited
FROM databricks_workspace.workspace.token_permissions
WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com';
