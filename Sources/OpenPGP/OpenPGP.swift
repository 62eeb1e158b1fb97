// OpenPGP module.
