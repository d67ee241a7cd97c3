using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace ClinicaDL.Core.Networks;

/// <summary>
/// Reads the data subset of a PowerShell data file (.psd1) into JSON nodes, without PowerShell, so that a network
/// file works from any .NET program: hashtables <c>@{ Key = value }</c>, arrays <c>@( ... )</c> and comma lists,
/// single- and double-quoted strings (no expansion), numbers, <c>$true</c>, <c>$false</c>, <c>$null</c>, and
/// <c>#</c> and <c>&lt;# #&gt;</c> comments. Anything else (variables, commands, expressions) is refused with its
/// line, as Import-PowerShellDataFile refuses it.
/// </summary>
public static class PowerShellDataFile
{
    /// <summary>Parses the text of a data file; <paramref name="path"/> names it in errors.</summary>
    public static JsonNode? Parse(string text, string path)
    {
        var reader = new Reader(text, path);
        reader.SkipSpace(newlines: true);
        var value = reader.Value();
        reader.SkipSpace(newlines: true);
        if (!reader.AtEnd)
        {
            throw reader.Error("expected the end of the file after the top-level value");
        }
        return value;
    }

    private sealed class Reader(string text, string path)
    {
        private int _position;

        public bool AtEnd => _position >= text.Length;

        private char Current => _position < text.Length ? text[_position] : '\0';

        private char Next => _position + 1 < text.Length ? text[_position + 1] : '\0';

        public NetworkFileException Error(string expected)
        {
            var line = 1 + text.AsSpan(0, Math.Min(_position, text.Length)).Count('\n');
            var found = AtEnd ? "the end of the file" : $"'{text.Substring(_position, Math.Min(20, text.Length - _position)).Split('\n')[0]}'";
            return new NetworkFileException(path, $"line {line}: {expected}; found {found}.");
        }

        /// <summary>Skips blanks and comments, and line ends too when <paramref name="newlines"/>.</summary>
        public void SkipSpace(bool newlines)
        {
            while (!AtEnd)
            {
                if (Current == '#')
                {
                    while (!AtEnd && Current != '\n')
                    {
                        _position++;
                    }
                }
                else if (Current == '<' && Next == '#')
                {
                    var end = text.IndexOf("#>", _position + 2, StringComparison.Ordinal);
                    if (end < 0)
                    {
                        throw Error("a block comment '<#' closed by '#>'");
                    }
                    _position = end + 2;
                }
                else if (Current == '`' && (Next == '\n' || Next == '\r'))
                {
                    _position += 2;
                }
                else if (Current is ' ' or '\t' or '\r' || (newlines && Current == '\n'))
                {
                    _position++;
                }
                else
                {
                    return;
                }
            }
        }

        /// <summary>A value, or a comma list of values (an array).</summary>
        public JsonNode? Value()
        {
            var first = Single();
            SkipSpace(newlines: false);
            if (Current != ',')
            {
                return first;
            }
            var list = new JsonArray(first);
            while (Current == ',')
            {
                _position++;
                SkipSpace(newlines: true);
                list.Add(Single());
                SkipSpace(newlines: false);
            }
            return list;
        }

        private JsonNode? Single()
        {
            if (Current == '@' && Next == '{')
            {
                _position += 2;
                return Hashtable();
            }
            if (Current == '@' && Next == '(')
            {
                _position += 2;
                return Array();
            }
            if (Current == '(')
            {
                _position++;
                SkipSpace(newlines: true);
                var inner = Value();
                SkipSpace(newlines: true);
                Expect(')', "')' closing the '('");
                return inner;
            }
            if (Current == '\'')
            {
                return JsonValue.Create(SingleQuoted());
            }
            if (Current == '"')
            {
                return JsonValue.Create(DoubleQuoted());
            }
            if (Current == '$')
            {
                var word = Word(1);
                return word.ToLowerInvariant() switch
                {
                    "$true" => JsonValue.Create(true),
                    "$false" => JsonValue.Create(false),
                    "$null" => null,
                    _ => throw Error("a value ($true, $false, $null, a number, a quoted string, @{...} or @(...)); a data file has no variables (write '$Name' in single quotes for a block parameter)"),
                };
            }
            if (char.IsDigit(Current) || ((Current is '-' or '+' or '.') && (char.IsDigit(Next) || Next == '.')))
            {
                return Number();
            }
            throw Error("a value ($true, $false, $null, a number, a quoted string, @{...} or @(...)); strings need quotes");
        }

        private JsonObject Hashtable()
        {
            var table = new JsonObject();
            var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            while (true)
            {
                SkipSeparators();
                if (Current == '}')
                {
                    _position++;
                    return table;
                }
                if (AtEnd)
                {
                    throw Error("'}' closing the '@{'");
                }
                var keyStart = _position;
                var key = Current switch
                {
                    '\'' => SingleQuoted(),
                    '"' => DoubleQuoted(),
                    _ when char.IsLetter(Current) || Current == '_' => Word(0),
                    _ => throw Error("a key (a name, or a quoted string)"),
                };
                if (!keys.Add(key))
                {
                    _position = keyStart;
                    throw Error($"a new key; '{key}' is already in this hashtable (keys ignore case)");
                }
                SkipSpace(newlines: false);
                Expect('=', $"'=' after the key '{key}'");
                SkipSpace(newlines: true);
                table[key] = Value();
                SkipSpace(newlines: false);
                if (Current is not (';' or '\n' or '}') && !AtEnd)
                {
                    throw Error($"a new line, ';' or '}}' after the value of '{key}'");
                }
            }
        }

        private JsonArray Array()
        {
            var array = new JsonArray();
            while (true)
            {
                SkipSeparators();
                if (Current == ')')
                {
                    _position++;
                    return array;
                }
                if (AtEnd)
                {
                    throw Error("')' closing the '@('");
                }
                // As PowerShell: @( 1, 2 <newline> 3 ) is one array of 1, 2 and 3.
                var value = Value();
                if (value is JsonArray list && list.Count > 0 && list.Parent is null)
                {
                    foreach (var item in list.ToList())
                    {
                        list.Remove(item);
                        array.Add(item);
                    }
                }
                else
                {
                    array.Add(value);
                }
                SkipSpace(newlines: false);
                if (Current is not (';' or '\n' or ')') && !AtEnd)
                {
                    throw Error("a new line, ';' or ')' between array items");
                }
            }
        }

        private void SkipSeparators()
        {
            while (true)
            {
                SkipSpace(newlines: true);
                if (Current != ';')
                {
                    return;
                }
                _position++;
            }
        }

        private void Expect(char character, string expected)
        {
            if (Current != character)
            {
                throw Error($"expected {expected}");
            }
            _position++;
        }

        private string Word(int start)
        {
            var begin = _position;
            _position += start;
            while (!AtEnd && (char.IsLetterOrDigit(Current) || Current is '_' or '-'))
            {
                _position++;
            }
            return text[begin.._position];
        }

        private string SingleQuoted()
        {
            var result = new StringBuilder();
            _position++;
            while (true)
            {
                if (AtEnd)
                {
                    throw Error("a closing quote (')");
                }
                if (Current == '\'')
                {
                    if (Next == '\'')
                    {
                        result.Append('\'');
                        _position += 2;
                        continue;
                    }
                    _position++;
                    return result.ToString();
                }
                result.Append(Current);
                _position++;
            }
        }

        private string DoubleQuoted()
        {
            var result = new StringBuilder();
            _position++;
            while (true)
            {
                if (AtEnd)
                {
                    throw Error("a closing quote (\")");
                }
                switch (Current)
                {
                    case '"' when Next == '"':
                        result.Append('"');
                        _position += 2;
                        continue;
                    case '"':
                        _position++;
                        return result.ToString();
                    case '`':
                        result.Append(Next switch { 'n' => '\n', 't' => '\t', '0' => '\0', _ => Next });
                        _position += 2;
                        continue;
                    case '$':
                        throw Error("no '$' in a double-quoted string (PowerShell would expand it): write block parameters in single quotes, '$Name'");
                    default:
                        result.Append(Current);
                        _position++;
                        continue;
                }
            }
        }

        private JsonNode Number()
        {
            var begin = _position;
            if (Current is '-' or '+')
            {
                _position++;
            }
            while (!AtEnd && (char.IsDigit(Current) || Current == '.' || ((Current is 'e' or 'E') && (char.IsDigit(Next) || Next is '-' or '+')) ||
                ((Current is '-' or '+') && text[_position - 1] is 'e' or 'E')))
            {
                _position++;
            }
            var literal = text[begin.._position];
            if (!AtEnd && char.IsLetter(Current))
            {
                throw Error($"a plain number; '{literal}{Current}...' (suffixes such as kb or d are not read)");
            }
            if (long.TryParse(literal, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole))
            {
                return JsonValue.Create(whole);
            }
            if (double.TryParse(literal, NumberStyles.Float, CultureInfo.InvariantCulture, out var real))
            {
                return JsonValue.Create(real);
            }
            _position = begin;
            throw Error("a number");
        }
    }
}
