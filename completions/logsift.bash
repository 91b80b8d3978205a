# bash completion for logsift(1).
#
# Install: copy to /usr/share/bash-completion/completions/logsift (or
# ~/.local/share/bash-completion/completions/logsift), or `source` it from ~/.bashrc.
# Works with or without the bash-completion package.
#
# Every option listed here must exist in `logsift --help`: tests/e2e/test_docs_in_sync.py checks it.

_logsift_long_options=(
    # Generic
    --help --version
    # Matching
    --regexp= --file= --extended-regexp --basic-regexp --fixed-strings --perl-regexp --ignore-case --no-ignore-case
    --invert-match --word-regexp --line-regexp
    # Stages
    --keep= --drop= --sub= --extract= --skip= --take= --step= --slice= --take-while=
    --drop-while= --uniq --fields= --last= --since= --until= --time-format= --field-sep=
    --where= --input-format= --explain
    # Output
    --count --files-with-matches --files-without-match --only-matching --quiet --silent
    --line-number --byte-offset --with-filename --no-filename --label= --max-count=
    --after-context= --before-context= --context= --color --color= --colour --colour=
    --line-buffered --stats --progress --max-matches= --count-by= --count-by-field= --top= --histogram= --json
    --format= --null --initial-tab
    # Input
    --recursive --dereference-recursive --include= --exclude= --include-from= --exclude-from=
    --exclude-dir= --text --binary-files= --null-data --crlf
    --no-messages --decompress --no-decompress --decompress-memory= --follow --follow-last=
)

_logsift_short_options=(
    -e -f -E -G -F -P -i -y -v -w -x
    -c -l -L -o -q -n -b -H -h -m -A -B -C -Z -T
    -r -R -a -I -z -s -V
)

# Options whose value is the next word when it is not given after '=' (--color's is not: a
# separate word after --color is PATTERN or a FILE).
_logsift_options_with_value=" -e --regexp -f --file -m --max-count -A --after-context
    -B --before-context -C --context --label --include --exclude --include-from --exclude-from
    --exclude-dir --keep --drop
    --sub --extract --skip --take --step --slice --take-while --drop-while --fields --last
    --since --until --time-format --field-sep --max-matches --count-by --top --histogram
    --where --input-format --count-by-field
    --format --decompress-memory --follow-last --binary-files "

# Fills COMPREPLY with the values of option $1 that start with $2 (prefixed with $3).
_logsift_values() {
    local option=$1 value=$2 prefix=$3
    case $option in
        --color | --colour)
            COMPREPLY=($(compgen -P "$prefix" -W 'always never auto' -- "$value")) ;;
        --histogram)
            COMPREPLY=($(compgen -P "$prefix" -W '1m 5m 15m 1h 1d' -- "$value")) ;;
        --format)
            COMPREPLY=($(compgen -P "$prefix" -W 'github' -- "$value")) ;;
        --input-format)
            COMPREPLY=($(compgen -P "$prefix" -W 'auto json logfmt' -- "$value")) ;;
        --binary-files)
            COMPREPLY=($(compgen -P "$prefix" -W 'binary text without-match' -- "$value")) ;;
        --since | --until)
            COMPREPLY=($(compgen -P "$prefix" -W 'now 30m 1h 2h 1d 3d 1w' -- "$value")) ;;
        -f | --file | --include | --exclude | --include-from | --exclude-from)
            compopt -o filenames 2>/dev/null
            COMPREPLY=($(compgen -P "$prefix" -f -- "$value")) ;;
        --exclude-dir)
            compopt -o filenames 2>/dev/null
            COMPREPLY=($(compgen -P "$prefix" -d -- "$value")) ;;
        *)
            # A pattern, a regex, a number, a template...: nothing sensible to offer.
            COMPREPLY=() ;;
    esac
}

_logsift() {
    local cur=${COMP_WORDS[COMP_CWORD]}
    local prev=
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    local i
    COMPREPLY=()

    # After "--" every word is a FILE.
    for ((i = 1; i < COMP_CWORD; i++)); do
        if [[ ${COMP_WORDS[i]} == -- ]]; then
            compopt -o filenames 2>/dev/null
            COMPREPLY=($(compgen -f -- "$cur"))
            return 0
        fi
    done

    # --option=value: bash splits it at '=' when '=' is in COMP_WORDBREAKS (the default),
    # into "--option" "=" "value"; then only the value part is replaced.
    if [[ $cur == = && $prev == --* ]]; then
        _logsift_values "$prev" "" ""
        return 0
    fi
    if [[ $prev == = ]] && ((COMP_CWORD >= 2)) && [[ ${COMP_WORDS[COMP_CWORD - 2]} == --* ]]; then
        _logsift_values "${COMP_WORDS[COMP_CWORD - 2]}" "$cur" ""
        return 0
    fi
    if [[ $cur == --*=* ]]; then
        _logsift_values "${cur%%=*}" "${cur#*=}" "${cur%%=*}="
        return 0
    fi

    # A value given as the next word.
    if [[ -n $prev && $_logsift_options_with_value == *" $prev "* ]]; then
        _logsift_values "$prev" "$cur" ""
        return 0
    fi

    case $cur in
        --*)
            COMPREPLY=($(compgen -W "${_logsift_long_options[*]}" -- "$cur"))
            # Do not add a space after an option that wants "=value".
            if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *= ]]; then
                compopt -o nospace 2>/dev/null
            fi
            ;;
        -*)
            COMPREPLY=($(compgen -W "${_logsift_short_options[*]} ${_logsift_long_options[*]}" -- "$cur"))
            ;;
        *)
            compopt -o filenames 2>/dev/null
            COMPREPLY=($(compgen -f -- "$cur"))
            ;;
    esac
    return 0
}

complete -F _logsift logsift
