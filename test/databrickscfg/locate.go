package databrickscfg

import (
	"strings"
	"unicode"
)

// locations are the line numbers (from 1) of what ini.v1 parses, which it
// does not tell: errors need them.
type locations struct {
	section map[string]int            // a section's first header, or its first key
	key     map[string]map[string]int // section → key → line of its last value
	bad     int                       // the first line ini.v1 refuses, 0 if none
	why     string                    // what is wrong with it
}

// locate follows ini.v1's parser (v1.67.0, with the SDK's options) line by
// line: sections, comments, keys (quoted or not, with "=" or ":"), and
// values that go on over several lines (""" or ` quoted, or ending in \).
func locate(data []byte) locations {
	l := locations{section: map[string]int{}, key: map[string]map[string]int{}}
	text := string(data)
	switch {
	case strings.HasPrefix(text, "\xef\xbb\xbf"):
		text = text[3:]
	case strings.HasPrefix(text, "\xfe\xff"), strings.HasPrefix(text, "\xff\xfe"):
		text = text[2:]
	}
	lines := strings.SplitAfter(text, "\n")
	sec := "DEFAULT"
	fail := func(n int, why string) locations {
		l.bad, l.why = n, why
		return l
	}
	for i := 0; i < len(lines); i++ {
		n := i + 1
		line := strings.TrimLeftFunc(lines[i], unicode.IsSpace)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' {
			end := strings.LastIndexByte(line, ']')
			if end < 0 {
				return fail(n, "a section header without ]")
			}
			if end == 1 {
				return fail(n, "an empty section name")
			}
			sec = line[1:end]
			if l.section[sec] == 0 {
				l.section[sec] = n
			}
			continue
		}
		key, rest, why := keyName(line)
		if why != "" {
			return fail(n, why)
		}
		if l.section[sec] == 0 {
			l.section[sec] = n
		}
		if l.key[sec] == nil {
			l.key[sec] = map[string]int{}
		}
		l.key[sec][key] = n

		// Values over several lines.
		val := strings.TrimLeftFunc(rest, unicode.IsSpace)
		quote := ""
		switch {
		case len(val) > 3 && val[:3] == `"""`:
			quote = `"""`
		case val != "" && val[0] == '`':
			quote = "`"
		}
		if quote != "" {
			if strings.Contains(val[len(quote):], quote) {
				continue
			}
			for i++; i < len(lines) && !strings.Contains(lines[i], quote); i++ {
			}
			if i >= len(lines) {
				return fail(n, "a quoted value that is not closed")
			}
			continue
		}
		if t := strings.TrimSpace(val); t != "" && t[len(t)-1] == '\\' {
			for i+1 < len(lines) {
				i++
				next := strings.TrimSpace(lines[i])
				if next == "" || next[len(next)-1] != '\\' {
					break
				}
			}
		}
	}
	return l
}

// keyName splits a key line as ini.v1's readKeyName does: the key, the
// text after its delimiter, or why the line is refused.
func keyName(line string) (key, rest, why string) {
	const delims = "=:"
	quote := ""
	switch {
	case len(line) > 6 && line[:3] == `"""`:
		quote = `"""`
	case line[0] == '"':
		quote = `"`
	case line[0] == '`':
		quote = "`"
	}
	if quote != "" {
		start := len(quote)
		pos := strings.Index(line[start:], quote)
		if pos < 0 {
			return "", "", "a quoted key that is not closed"
		}
		pos += start
		i := strings.IndexAny(line[pos+start:], delims)
		if i < 0 {
			return "", "", "not a section, comment or key = value"
		}
		end := pos + i + start
		return strings.TrimSpace(line[start:pos]), line[end+1:], ""
	}
	end := strings.IndexAny(line, delims)
	switch {
	case end < 0:
		return "", "", "not a section, comment or key = value"
	case end == 0:
		return "", "", "a value without a key"
	}
	return strings.TrimSpace(line[:end]), line[end+1:], ""
}
