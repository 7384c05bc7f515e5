//! String-backed types for the Discovery formats `date-time`, `google-datetime`, `date`,
//! `google-duration` and `google-fieldmask`.
