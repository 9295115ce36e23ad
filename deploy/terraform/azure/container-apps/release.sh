#!/usr/bin/env bash
# Releases IMAGE (REGISTRY/rates@sha256:..., by digest) to the Container Apps
# stack of ENVIRONMENT (dev or prod), in the order the release needs:
#   1. the migrate job runs `rates migrate` as the schema owner with the new
#      image, and must succeed (the API never migrates);
#   2. the app gets the new image: a new revision, which takes traffic only
#      once its readiness probe passes (single revision mode);
#   3. wait until that revision is the latest ready one, then smoke-test
#      /livez, /readyz and /health (which asks the database).
# Needs the Azure CLI (az login) and curl; the image tag is CI's, not
# Terraform's (the stack ignores changes to it).
set -euo pipefail
: "${IMAGE:?REGISTRY/rates@sha256:...}" "${ENVIRONMENT:?dev or prod}"
[[ $IMAGE == *@sha256:* ]] || { echo "IMAGE must be pinned by digest: $IMAGE" >&2; exit 1; }
group=${NAME:-rates}-aca-$ENVIRONMENT
app=$group-api
job=$group-migrate

az containerapp job update --name "$job" --resource-group "$group" --image "$IMAGE" --output none
execution=$(az containerapp job start --name "$job" --resource-group "$group" --query name --output tsv)
echo "migration $execution started"
for _ in $(seq 1 90); do
  status=$(az containerapp job execution show --name "$job" --resource-group "$group" \
    --job-execution-name "$execution" --query properties.status --output tsv)
  case $status in
    Succeeded) break ;;
    Failed | Stopped | Degraded) echo "migration $execution: $status" >&2; exit 1 ;;
  esac
  sleep 10 # polling a job: the CLI has no wait for executions
done
[[ $status == Succeeded ]] || { echo "migration $execution still $status after 15 minutes" >&2; exit 1; }

az containerapp update --name "$app" --resource-group "$group" --image "$IMAGE" --output none
for _ in $(seq 1 60); do
  read -r latest ready < <(az containerapp show --name "$app" --resource-group "$group" \
    --query '[properties.latestRevisionName, properties.latestReadyRevisionName]' --output tsv | paste -s -)
  [[ $latest == "$ready" ]] && break
  sleep 5
done
[[ $latest == "$ready" ]] || { echo "revision $latest is not ready after 5 minutes" >&2; exit 1; }
echo "revision $latest is ready"

fqdn=$(az containerapp show --name "$app" --resource-group "$group" --query properties.configuration.ingress.fqdn --output tsv)
for path in /livez /readyz /health; do
  curl -fsS --retry 5 --retry-delay 2 "https://$fqdn$path"
  echo
done
