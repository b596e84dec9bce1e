#!/bin/sh
# Run once by the postgres image when it creates the database (docker-compose.yml mounts it in
# /docker-entrypoint-initdb.d): the application's login role, a member of foiflow_app (which
# migration 0018 grants what the workflow needs, and no way to change the event history).
# The tables' owner is POSTGRES_USER; foiflow migrate runs as it, foiflow serve as the app role.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
CREATE ROLE foiflow_app NOLOGIN;
CREATE ROLE foiflow_server LOGIN PASSWORD '${FOIFLOW_APP_PASSWORD}' IN ROLE foiflow_app;
SQL
