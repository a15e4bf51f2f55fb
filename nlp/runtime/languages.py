"""Language codes of multilingual seq2seq models (mBART-50, M2M100, NLLB).

These tokenizers put a source-language token in front of the input (`tokenizer.src_lang`),
and the decoder must start with the target-language token (transformers: forced_bos_token_id;
CTranslate2: target_prefix). Other tokenizers have no `src_lang` and are left alone.
Languages are given as ISO codes ("zh", "en") or as the model's own code ("zho_Hant").
"""
from __future__ import annotations

# the token each family uses for a language: mBART-50, NLLB (FLORES-200), M2M100
LANGUAGE_TOKENS = {
    "zh": ("zh_CN", "zho_Hans", "__zh__"),
    "en": ("en_XX", "eng_Latn", "__en__"),
}


def is_multilingual(tokenizer) -> bool:
    return hasattr(tokenizer, "src_lang")


def set_languages(tokenizer, source: str, target: str, where: str) -> int | None:
    """Set the tokenizer's source language; the id of the target-language token (None when the
    tokenizer has no language codes). ValueError names the folder and the missing code."""
    if not is_multilingual(tokenizer):
        return None
    source_token, target_token = (language_token(tokenizer, code, where) for code in (source, target))
    tokenizer.src_lang = source_token.strip("_") if source_token.startswith("__") else source_token
    return tokenizer.convert_tokens_to_ids(target_token)


def language_token(tokenizer, code: str, where: str) -> str:
    """The vocabulary token of language `code` in this tokenizer."""
    candidates = (*LANGUAGE_TOKENS.get(code, ()), f"__{code}__", code)  # "zh" alone may be a plain piece
    for token in candidates:
        if tokenizer.convert_tokens_to_ids(token) not in (None, tokenizer.unk_token_id):
            return token
    raise ValueError(f"{where}: the tokenizer has language codes but none for {code!r} "
                     f"(tried {', '.join(candidates)}); set translator.source_lang/target_lang to its code")
