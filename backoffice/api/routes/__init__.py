"""One module per resource; each has ``register(router)`` adding its routes (built per app,
never at import time)."""
