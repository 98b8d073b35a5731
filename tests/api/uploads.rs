//! Uploads to the dossier.
