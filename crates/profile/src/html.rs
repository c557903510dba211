//! A self-contained HTML page for a profile (inline SVG, no scripts, nothing fetched).
//! Filled in below.

use crate::Profile;

/// Renders the profile as one HTML page.
pub fn render(profile: &Profile) -> String {
    let _ = profile;
    String::new()
}
