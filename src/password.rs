//! Password generation for new users: a CSPRNG, every character class present.
//!
//! The reference SDK picks characters with a non-cryptographic generator and does not guarantee
//! the classes a namespace's password policy may require. This one uses the thread-local CSPRNG
//! of `rand` (ChaCha, seeded from the operating system) and always includes a lower-case letter,
//! an upper-case letter, a digit and (unless turned off) a symbol.

use rand::Rng as _;
use rand::seq::SliceRandom as _;

use crate::error::SdkError;
use crate::secret::Secret;

const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
const DIGITS: &[u8] = b"23456789";
const SYMBOLS: &[u8] = b"!#%+-.:=?@_~";

/// How to generate a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordPolicy {
    /// Number of characters (default 20; at least the number of classes, at most 1024).
    pub length: usize,
    /// Include symbols (default true). Letters and digits are always included.
    pub symbols: bool,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            length: 20,
            symbols: true,
        }
    }
}

impl PasswordPolicy {
    /// A password of this policy. Look-alike characters (`l`, `I`, `O`, `0`, `1`) are left out.
    pub fn generate(&self) -> Result<Secret, SdkError> {
        let mut classes = vec![LOWER, UPPER, DIGITS];
        if self.symbols {
            classes.push(SYMBOLS);
        }
        if self.length < classes.len() || self.length > 1024 {
            return Err(SdkError::InvalidArgument {
                name: "length",
                reason: format!(
                    "a password needs {} to 1024 characters, not {}",
                    classes.len(),
                    self.length
                ),
            });
        }
        let all: Vec<u8> = classes.concat();
        let mut rng = rand::rng();
        let mut chars: Vec<u8> = classes
            .iter()
            .map(|class| class[rng.random_range(0..class.len())])
            .collect();
        while chars.len() < self.length {
            chars.push(all[rng.random_range(0..all.len())]);
        }
        chars.shuffle(&mut rng);
        Ok(Secret::new(
            String::from_utf8(chars).expect("the alphabets are ASCII"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_class_present_at_every_length() {
        for length in 4..40 {
            for _ in 0..50 {
                let p = PasswordPolicy {
                    length,
                    symbols: true,
                }
                .generate()
                .unwrap();
                let p = p.expose();
                assert_eq!(p.len(), length);
                for class in [LOWER, UPPER, DIGITS, SYMBOLS] {
                    assert!(p.bytes().any(|b| class.contains(&b)), "{class:?} missing");
                }
            }
        }
    }

    #[test]
    fn without_symbols_only_alphanumerics() {
        let p = PasswordPolicy {
            length: 3,
            symbols: false,
        }
        .generate()
        .unwrap();
        assert!(p.expose().bytes().all(|b| b.is_ascii_alphanumeric()));
    }

    #[test]
    fn too_short_or_long_is_an_error() {
        assert!(
            PasswordPolicy {
                length: 3,
                symbols: true
            }
            .generate()
            .is_err()
        );
        assert!(
            PasswordPolicy {
                length: 2,
                symbols: false
            }
            .generate()
            .is_err()
        );
        assert!(
            PasswordPolicy {
                length: 1025,
                symbols: true
            }
            .generate()
            .is_err()
        );
    }

    #[test]
    fn passwords_differ() {
        let policy = PasswordPolicy::default();
        let a = policy.generate().unwrap();
        let b = policy.generate().unwrap();
        assert_ne!(a.expose(), b.expose());
    }
}
