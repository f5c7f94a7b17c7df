"""One APIRouter per resource group, one module each. Importing this package imports none of them,
so each Lambda loads only its own router; the registry of all of them is socialpub.api.registry."""
