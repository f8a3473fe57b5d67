//! The trust anchors (and optional revocation lists) that Signexpert certificates must chain to.
//!
//! Anchors are read once at start: a configured file that cannot be read stops the service rather
//! than silently disabling certificate sign-in. The CRL file is re-read whenever it changes on
//! disk, so an operator refreshes it without a restart (replace it atomically, by a rename).

use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::SystemTime,
};

use rustls_pki_types::{pem::PemObject, CertificateDer, CertificateRevocationListDer, TrustAnchor};
use webpki::{CertRevocationList, OwnedCertRevocationList};

use crate::config::Settings;

/// Revocation lists as currently loaded.
pub type RevocationLists = Arc<Vec<CertRevocationList<'static>>>;

/// Trust anchors and revocation lists for Signexpert.
pub struct TrustStore {
    anchors: Vec<TrustAnchor<'static>>,
    crl: Option<CrlFile>,
}

struct CrlFile {
    path: PathBuf,
    loaded: Mutex<LoadedCrls>,
}

struct LoadedCrls {
    modified: Option<SystemTime>,
    lists: RevocationLists,
}

impl TrustStore {
    /// The store described by the settings; `None` when no CA file is configured (Signexpert is
    /// then unavailable).
    pub fn from_settings(settings: &Settings) -> Result<Option<Self>, String> {
        match &settings.signexpert_ca_file {
            Some(ca_file) => Self::load(ca_file, settings.signexpert_crl_file.as_deref()).map(Some),
            None => {
                if settings.signexpert_crl_file.is_some() {
                    tracing::warn!(
                        "SIGNEXPERT_CRL_FILE is set without SIGNEXPERT_CA_FILE: ignored"
                    );
                }
                Ok(None)
            }
        }
    }

    /// Reads the PEM trust anchors of `ca_file` and, if given, the CRLs of `crl_file`.
    pub fn load(ca_file: &Path, crl_file: Option<&Path>) -> Result<Self, String> {
        let pem = std::fs::read(ca_file)
            .map_err(|e| format!("SIGNEXPERT_CA_FILE {}: {e}", ca_file.display()))?;
        let certificates = CertificateDer::pem_slice_iter(&pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("SIGNEXPERT_CA_FILE {}: {e}", ca_file.display()))?;
        if certificates.is_empty() {
            return Err(format!(
                "SIGNEXPERT_CA_FILE {}: no PEM certificate found",
                ca_file.display()
            ));
        }
        let anchors = certificates
            .iter()
            .map(|der| webpki::anchor_from_trusted_cert(der).map(|a| a.to_owned()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("SIGNEXPERT_CA_FILE {}: {e}", ca_file.display()))?;
        let crl = match crl_file {
            Some(path) => {
                let (modified, lists) = read_crls(path)?;
                Some(CrlFile {
                    path: path.to_owned(),
                    loaded: Mutex::new(LoadedCrls {
                        modified,
                        lists: Arc::new(lists),
                    }),
                })
            }
            None => None,
        };
        tracing::info!(
            anchors = anchors.len(),
            crl = crl.is_some(),
            "Signexpert trust anchors loaded"
        );
        Ok(Self { anchors, crl })
    }

    /// The trust anchors.
    pub fn anchors(&self) -> &[TrustAnchor<'static>] {
        &self.anchors
    }

    /// The current revocation lists, re-read if the file changed; `Ok(None)` when no CRL file is
    /// configured. An error means the configured file cannot be used: certificate sign-in must
    /// then fail closed.
    pub fn revocation_lists(&self) -> Result<Option<RevocationLists>, String> {
        let Some(crl) = &self.crl else {
            return Ok(None);
        };
        let modified = std::fs::metadata(&crl.path)
            .and_then(|m| m.modified())
            .map_err(|e| format!("SIGNEXPERT_CRL_FILE {}: {e}", crl.path.display()))?;
        let mut loaded = crl
            .loaded
            .lock()
            .map_err(|_| "SIGNEXPERT_CRL_FILE: lock poisoned".to_owned())?;
        if loaded.modified != Some(modified) {
            let (modified, lists) = read_crls(&crl.path)?;
            *loaded = LoadedCrls {
                modified,
                lists: Arc::new(lists),
            };
            tracing::info!(count = loaded.lists.len(), "Signexpert CRL file reloaded");
        }
        Ok(Some(loaded.lists.clone()))
    }
}

/// Reads every CRL of a file: PEM `X509 CRL` blocks, or one DER CRL.
fn read_crls(
    path: &Path,
) -> Result<(Option<SystemTime>, Vec<CertRevocationList<'static>>), String> {
    let context =
        |e: &dyn std::fmt::Display| format!("SIGNEXPERT_CRL_FILE {}: {e}", path.display());
    let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let bytes = std::fs::read(path).map_err(|e| context(&e))?;
    let mut ders = CertificateRevocationListDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| context(&e))?;
    if ders.is_empty() {
        ders.push(CertificateRevocationListDer::from(bytes));
    }
    let lists = ders
        .iter()
        .map(|der| {
            OwnedCertRevocationList::from_der(der.as_ref())
                .map(CertRevocationList::from)
                .map_err(|e| context(&e))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((modified, lists))
}
