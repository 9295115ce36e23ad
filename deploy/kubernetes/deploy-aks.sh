#!/usr/bin/env bash
# Deploys the aks overlay (or OVERLAY) in the order the release needs:
#   1. the migration Job alone (the API pods never migrate), and waits until
#      it completes;
#   2. everything else, and waits until the Deployment's rollout is healthy
#      (every new pod ready), not merely applied;
#   3. a smoke test through the Service: /livez, /readyz and /health (which
#      asks the database).
# Needs kubectl (logged in to the cluster), kustomize and curl, and:
#   IMAGE              REGISTRY/rates@sha256:... (a digest, never a tag)
#   API_CLIENT_ID, MIGRATE_CLIENT_ID, TENANT_ID, KEY_VAULT_NAME, POSTGRES_FQDN
#                      the aks Terraform stack's outputs
set -euo pipefail
cd "$(dirname "$0")"
overlay=overlays/${OVERLAY:-aks}
namespace=${NAMESPACE:-rates}
[[ $IMAGE == *@sha256:* ]] || { echo "IMAGE must be pinned by digest: $IMAGE" >&2; exit 1; }

cat > components/azure-identity/azure.env <<ENV
API_CLIENT_ID=$API_CLIENT_ID
MIGRATE_CLIENT_ID=$MIGRATE_CLIENT_ID
TENANT_ID=$TENANT_ID
KEY_VAULT_NAME=$KEY_VAULT_NAME
ENV
echo "RATES_DB_HOST=$POSTGRES_FQDN" > overlays/aks/database.env
(cd overlays/aks && kustomize edit set image "rates=$IMAGE")

# A Job's pod template is immutable: the previous run goes first.
kubectl -n "$namespace" delete job/rates-migrate --ignore-not-found --wait=true
kubectl apply -k "$overlay" -l 'app.kubernetes.io/component!=api'
if ! kubectl -n "$namespace" wait --for=condition=complete job/rates-migrate --timeout=900s; then
  kubectl -n "$namespace" logs job/rates-migrate --tail=100 || true
  exit 1
fi

kubectl apply -k "$overlay"
kubectl -n "$namespace" rollout status deployment/rates-api --timeout=600s

kubectl -n "$namespace" port-forward service/rates-api 18080:80 >/dev/null &
forward=$!
trap 'kill "$forward"' EXIT
for path in /livez /readyz /health; do
  curl -fsS --retry 20 --retry-connrefused --retry-delay 1 "http://127.0.0.1:18080$path"
  echo
done
