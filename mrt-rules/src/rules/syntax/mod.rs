//! Files that cannot be read.

mod syntax_error;
