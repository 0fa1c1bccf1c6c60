"""Read side: per-request context, DataLoaders and short query functions returning rows."""
