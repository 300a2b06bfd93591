//! Suppression comments themselves.

mod unused_noqa;
