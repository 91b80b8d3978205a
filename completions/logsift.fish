# fish completion for logsift(1).
#
# Install: copy to ~/.config/fish/completions/logsift.fish (or
# /usr/share/fish/vendor_completions.d/logsift.fish).
#
# Every option listed here must exist in `logsift --help`: tests/e2e/test_docs_in_sync.py checks it.

# Positionals: PATTERN (unless -e or -f is given), then FILEs; files are completed by default.

# Generic
complete -c logsift -l help -d 'Print a summary of the options and exit'
complete -c logsift -s V -l version -d 'Print the version and exit'

# Matching
complete -c logsift -s e -l regexp -x -d 'Use PATTERN for matching (repeatable)'
complete -c logsift -s f -l file -r -F -d 'Take patterns from FILE, one per line'
complete -c logsift -s E -l extended-regexp -d 'PATTERN is an extended regex (RE2 syntax, the default)'
complete -c logsift -s G -l basic-regexp -d 'PATTERN is a POSIX basic regex'
complete -c logsift -s F -l fixed-strings -d 'PATTERN is a set of literal strings'
complete -c logsift -s P -l perl-regexp -d 'PATTERN is one Perl-compatible regex (PCRE2; not linear-time)'
complete -c logsift -s i -s y -l ignore-case -d 'Ignore case distinctions'
complete -c logsift -l no-ignore-case -d 'Do not ignore case distinctions (undoes -i)'
complete -c logsift -s v -l invert-match -d 'Select non-matching lines'
complete -c logsift -s w -l word-regexp -d 'Match only whole words'
complete -c logsift -s x -l line-regexp -d 'Match only whole lines'

# Stages (each occurrence is a stage, applied in command-line order before PATTERN)
complete -c logsift -l keep -x -d 'Stage: keep lines matching RE'
complete -c logsift -l drop -x -d 'Stage: drop lines matching RE'
complete -c logsift -l sub -x -d 'Stage: replace s/RE/REPL/ (first match) or s/RE/REPL/g (all)'
complete -c logsift -l extract -x -d 'Stage: replace a line by the match of RE (or its group 1)'
complete -c logsift -l skip -x -d 'Stage: drop the first N lines'
complete -c logsift -l take -x -d 'Stage: pass the first N lines, then stop reading'
complete -c logsift -l step -x -d 'Stage: pass every N-th line, starting with the first'
complete -c logsift -l slice -x -d 'Stage: Python islice A:B[:C]'
complete -c logsift -l take-while -x -d 'Stage: pass lines while they match RE, then stop reading'
complete -c logsift -l drop-while -x -d 'Stage: drop lines while they match RE, then pass the rest'
complete -c logsift -l uniq -d 'Stage: drop a line equal to the one before it'
complete -c logsift -l fields -x -d 'Stage: keep fields LIST (like 1,3-5,7-)'
complete -c logsift -l last -x -d 'Stage: only the last N lines that reach this stage'
complete -c logsift -l since -x -a 'now 30m 1h 2h 1d 3d 1w' -d 'Stage: keep lines with a timestamp at or after TIME'
complete -c logsift -l until -x -a 'now 30m 1h 2h 1d 3d 1w' -d 'Stage: keep lines with a timestamp before TIME'
complete -c logsift -l time-format -x -d 'Read line timestamps with this strftime format'
complete -c logsift -l where -x -d 'Stage: keep JSON/logfmt lines whose fields satisfy EXPR (LogQL)'
complete -c logsift -l input-format -x -a 'auto json logfmt' -d 'How --where reads lines'
complete -c logsift -l field-sep -x -d 'Literal field separator for --fields'
complete -c logsift -l explain -d 'Print the pipeline the flags build and exit'

# Output
complete -c logsift -s c -l count -d 'Print only a count of selected lines per file'
complete -c logsift -s l -l files-with-matches -d 'Print only names of files with selected lines'
complete -c logsift -s L -l files-without-match -d 'Print only names of files with no selected line'
complete -c logsift -s o -l only-matching -d 'Print only the matched parts of lines'
complete -c logsift -s q -l quiet -l silent -d 'Print nothing; exit 0 at the first match'
complete -c logsift -s n -l line-number -d 'Prefix each line with its line number'
complete -c logsift -s b -l byte-offset -d 'Prefix each line with its byte offset'
complete -c logsift -s H -l with-filename -d 'Prefix each line with its file name'
complete -c logsift -s h -l no-filename -d 'Never prefix lines with file names'
complete -c logsift -l label -x -d 'Name to show for standard input'
complete -c logsift -s m -l max-count -x -d 'Stop after NUM selected lines per file'
complete -c logsift -s A -l after-context -x -d 'Print NUM lines of trailing context'
complete -c logsift -s B -l before-context -x -d 'Print NUM lines of leading context'
complete -c logsift -s C -l context -x -d 'Print NUM lines of context on both sides'
# --color takes its value only after '=' (a separate word would be PATTERN or a FILE), so the
# option is a plain switch here and the "--color=WHEN" forms are offered as whole words.
complete -c logsift -l color -d 'Color matches (--color=WHEN: always, never or auto)'
complete -c logsift -l colour -d 'Color matches (--colour=WHEN: always, never or auto)'
complete -c logsift -f -n 'string match -q -- "--colo*" (commandline -ct)' -a '--color=always --color=never --color=auto --colour=always --colour=never --colour=auto' -d 'Color matches'
complete -c logsift -l line-buffered -d 'Flush output after every line'
complete -c logsift -s Z -l null -d 'Print a NUL after each file name'
complete -c logsift -s T -l initial-tab -d 'Put a tab after the prefix, numbers padded as grep -T'
complete -c logsift -l stats -d 'Print a summary of the search on stderr at the end'
complete -c logsift -l progress -d 'Show a progress bar on stderr when it is a terminal'
complete -c logsift -l max-matches -x -d 'CI gate: exit 1 if more than NUM lines matched, else 0'
complete -c logsift -l count-by -x -d "Count selected lines by RE's group 1 (or match), most first"
complete -c logsift -l count-by-field -x -d 'Count selected lines by a JSON/logfmt field'
complete -c logsift -l top -x -d 'With --count-by or --count-by-field: print only the NUM most frequent keys'
complete -c logsift -l histogram -x -a '1m 5m 15m 1h 1d' -d 'Count selected lines per time bucket'
complete -c logsift -l json -d "Print results as JSON Lines (ripgrep's format)"
complete -c logsift -l format -x -a 'github' -d 'Print each match with TEMPLATE ({path} {line_number} {match} ...), or github'

# Input
complete -c logsift -s r -l recursive -d 'Search directories recursively'
complete -c logsift -s R -l dereference-recursive -d 'Like -r, following all symlinks'
complete -c logsift -l include -r -d 'Search only files whose name matches GLOB'
complete -c logsift -l exclude -r -d 'Skip files whose name matches GLOB'
complete -c logsift -l include-from -r -F -d 'Search only files whose name matches a GLOB read from FILE'
complete -c logsift -l exclude-from -r -F -d 'Skip files whose name matches a GLOB read from FILE'
complete -c logsift -l exclude-dir -x -a '(__fish_complete_directories)' -d 'Skip directories whose name matches GLOB'
complete -c logsift -s a -l text -d 'Process binary files as if they were text'
complete -c logsift -s I -d 'Binary files match nothing (--binary-files=without-match)'
complete -c logsift -l binary-files -x -a 'binary text without-match' -d 'How to treat binary files'
complete -c logsift -s z -l null-data -d 'Input and output records end in NUL, not newline'
complete -c logsift -l crlf -d 'Lines end in CR LF as in LF: $ matches before CR LF'
complete -c logsift -s s -l no-messages -d 'Suppress messages about unreadable files'
complete -c logsift -l decompress -d 'Decode gzip, bzip2, xz and zstd inputs (detected by magic bytes)'
complete -c logsift -l no-decompress -d 'Search compressed inputs as raw bytes'
complete -c logsift -l decompress-memory -x -d 'Most memory an xz dictionary or zstd window may take (default 128M)'
complete -c logsift -l follow -d 'Keep reading files as they grow, through rotation and truncation (like tail -F)'
complete -c logsift -l follow-last -x -d '--follow, starting with the last N lines of each file (0: at its end)'
