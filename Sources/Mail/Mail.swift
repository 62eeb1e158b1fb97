// Mail module.
