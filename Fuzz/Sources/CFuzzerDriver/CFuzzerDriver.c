// Intentionally empty: the target only exports its header.
