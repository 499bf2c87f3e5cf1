"""The REST API (/api/v1), its OpenAPI document and the strict JSON body it reads."""
