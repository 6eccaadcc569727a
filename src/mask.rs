//! Masking of Brazilian personal documents (CPF, CNPJ) for screens and terminal output.

/// Masks a document number, keeping its punctuation: a CPF keeps its middle six digits
/// (`***.456.789-**`, the usual LGPD form), a CNPJ its middle digits (`**.345.678/0001-**`),
/// anything else only its last four digits.
pub fn mask_document(value: &str) -> String {
    let digits = value.chars().filter(char::is_ascii_digit).count();
    let hidden = |position: usize| match digits {
        11 => !(3..9).contains(&position),
        14 => !(2..12).contains(&position),
        _ => position + 4 < digits,
    };
    let mut position = 0;
    value
        .chars()
        .map(|c| {
            if c.is_ascii_digit() {
                let masked = hidden(position);
                position += 1;
                if masked { '*' } else { c }
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_cpf_cnpj_and_others() {
        assert_eq!(mask_document("123.456.789-09"), "***.456.789-**");
        assert_eq!(mask_document("12345678909"), "***456789**");
        assert_eq!(mask_document("12.345.678/0001-95"), "**.345.678/0001-**");
        assert_eq!(mask_document("MG-12.345.678"), "MG-**.**5.678");
        assert_eq!(mask_document(""), "");
    }
}
