// Recursive descent over XLSForm's XPath subset. Precedence, lowest first:
//   or; and; = !=; < <= > >=; + -; * div mod; unary -; primary.
// `and`, `or`, `div` and `mod` are operators only where an operator may stand (after an
// operand), as XPath 1.0 says, so a bare attribute named `mod` still works in a choice filter.
#include "expr/parser.h"

#include <charconv>
#include <cmath>
#include <algorithm>
#include <string>

#include "expr/functions.h"
#include "chosa/base/suggest.h"

namespace chosa {

int ColumnOfOffset(std::string_view text, size_t offset) {
  int column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    // Count every byte that does not continue a UTF-8 sequence.
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;
  }
  return column;
}

namespace {

enum class Tok : uint8_t {
  kEnd, kNumber, kString, kRef, kDot, kName, kLParen, kRParen, kComma,
  kEq, kNe, kLt, kLe, kGt, kGe, kPlus, kMinus, kStar, kAnd, kOr, kDiv, kMod,
};

struct Token {
  Tok kind = Tok::kEnd;
  size_t offset = 0;        // byte offset of the token's first character
  std::string_view text;    // name, string contents or number text
};

bool IsNameStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == ':'; }
bool IsRefChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The parser's growing buffers, kept from one expression to the next (per thread): a form
// compiles thousands of expressions, and each then costs one exact allocation per part.
struct ParserScratch {
  Expression out;
  std::vector<int> args;  // arguments of the calls being parsed, innermost last
  void Clear() {
    out.nodes.clear();
    out.children.clear();
    out.names.clear();
    out.constants.clear();
    out.root = 0;
    args.clear();
  }
};

// `from`'s parts without spare capacity.
Expression ExactCopy(Expression& from) {
  Expression e;
  e.nodes.assign(from.nodes.begin(), from.nodes.end());
  e.children.assign(from.children.begin(), from.children.end());
  e.names.reserve(from.names.size());
  for (std::string& name : from.names) e.names.push_back(std::move(name));
  e.constants.reserve(from.constants.size());
  for (Value& constant : from.constants) e.constants.push_back(std::move(constant));
  e.root = from.root;
  return e;
}

class Parser {
 public:
  Parser(std::string_view source, ParserScratch& scratch) : src_(source), out_(scratch.out), args_(scratch.args) {
    scratch.Clear();
  }

  Result<Expression> Run() {
    if (src_.size() > kMaxExpressionBytes) {
      return Status::InvalidArgument("expression longer than " + std::to_string(kMaxExpressionBytes) + " bytes", {}, 1);
    }
    if (!Advance()) return error_;
    if (tok_.kind == Tok::kEnd) {
      Fail(tok_.offset, "empty expression");
      return error_;
    }
    int root = ParseOr(0);
    if (root < 0 || !error_.ok()) return error_;
    if (tok_.kind != Tok::kEnd) {
      Fail(tok_.offset, "unexpected " + Describe(tok_) + "; expected an operator or the end");
      return error_;
    }
    out_.root = static_cast<uint32_t>(root);
    // A form keeps thousands of expressions for its lifetime: no spare capacity.
    return ExactCopy(out_);
  }

 private:
  // Records the first error (later ones are consequences of it); Run returns error_.
  void Fail(size_t offset, std::string message) {
    if (error_.ok()) error_ = Status::InvalidArgument(std::move(message), {}, ColumnOfOffset(src_, offset));
  }

  std::string Describe(const Token& t) const {
    switch (t.kind) {
      case Tok::kEnd: return "end of expression";
      case Tok::kNumber: return "number " + std::string(t.text);
      case Tok::kString: return "string";
      case Tok::kRef: return "${" + std::string(t.text) + "}";
      case Tok::kName: return "'" + std::string(t.text) + "'";
      default: return "'" + std::string(src_.substr(t.offset, OperatorLength(t.kind))) + "'";
    }
  }

  static size_t OperatorLength(Tok kind) {
    switch (kind) {
      case Tok::kNe: case Tok::kLe: case Tok::kGe: case Tok::kOr: return 2;
      case Tok::kAnd: case Tok::kDiv: case Tok::kMod: return 3;
      default: return 1;
    }
  }

  bool PreviousWasOperand() const {
    switch (prev_) {
      case Tok::kNumber: case Tok::kString: case Tok::kRef: case Tok::kDot: case Tok::kName: case Tok::kRParen:
        return true;
      default:
        return false;
    }
  }

  // Reads the next token into tok_; false (with error_ set) on a lexical error.
  bool Advance() {
    prev_ = tok_.kind;
    size_t i = pos_;
    while (i < src_.size() && (src_[i] == ' ' || src_[i] == '\t' || src_[i] == '\n' || src_[i] == '\r')) ++i;
    tok_ = Token{Tok::kEnd, i, {}};
    if (i >= src_.size()) { pos_ = i; return true; }
    char c = src_[i];
    auto single = [&](Tok kind, size_t length) { tok_.kind = kind; pos_ = i + length; return true; };
    switch (c) {
      case '(': return single(Tok::kLParen, 1);
      case ')': return single(Tok::kRParen, 1);
      case ',': return single(Tok::kComma, 1);
      case '=': return single(Tok::kEq, 1);
      case '+': return single(Tok::kPlus, 1);
      case '-': return single(Tok::kMinus, 1);
      case '*': return single(Tok::kStar, 1);
      case '!':
        if (i + 1 < src_.size() && src_[i + 1] == '=') return single(Tok::kNe, 2);
        Fail(i, "'!' must be followed by '=' (use not() to negate)");
        return false;
      case '<': return (i + 1 < src_.size() && src_[i + 1] == '=') ? single(Tok::kLe, 2) : single(Tok::kLt, 1);
      case '>': return (i + 1 < src_.size() && src_[i + 1] == '=') ? single(Tok::kGe, 2) : single(Tok::kGt, 1);
      case '\'': case '"': {
        size_t end = src_.find(c, i + 1);
        if (end == std::string_view::npos) { Fail(i, "unterminated string"); return false; }
        tok_.kind = Tok::kString;
        tok_.text = src_.substr(i + 1, end - i - 1);
        pos_ = end + 1;
        return true;
      }
      case '$': {
        if (i + 1 >= src_.size() || src_[i + 1] != '{') { Fail(i, "'$' must start a reference ${name}"); return false; }
        size_t j = i + 2;
        if (j >= src_.size() || !IsNameStart(src_[j])) { Fail(i, "expected a name after '${'"); return false; }
        while (j < src_.size() && IsRefChar(src_[j])) ++j;
        if (j >= src_.size() || src_[j] != '}') { Fail(i, "expected '}' to close the reference"); return false; }
        tok_.kind = Tok::kRef;
        tok_.text = src_.substr(i + 2, j - i - 2);
        pos_ = j + 1;
        return true;
      }
      case '/':
        Fail(i, "paths are not supported; refer to questions as ${name}");
        return false;
      default:
        break;
    }
    if (IsDigit(c) || (c == '.' && i + 1 < src_.size() && IsDigit(src_[i + 1]))) {
      size_t j = i;
      while (j < src_.size() && IsDigit(src_[j])) ++j;
      if (j < src_.size() && src_[j] == '.') {
        ++j;
        while (j < src_.size() && IsDigit(src_[j])) ++j;
      }
      tok_.kind = Tok::kNumber;
      tok_.text = src_.substr(i, j - i);
      pos_ = j;
      return true;
    }
    if (c == '.') return single(Tok::kDot, 1);
    if (IsNameStart(c)) {
      size_t j = i;
      while (j < src_.size() && IsNameChar(src_[j])) ++j;
      // A trailing '-' or '.' belongs to what follows (`a -1`), not to the name.
      while (j > i + 1 && (src_[j - 1] == '-' || src_[j - 1] == '.')) --j;
      std::string_view word = src_.substr(i, j - i);
      tok_.text = word;
      pos_ = j;
      tok_.kind = Tok::kName;
      if (PreviousWasOperand()) {
        if (word == "and") tok_.kind = Tok::kAnd;
        else if (word == "or") tok_.kind = Tok::kOr;
        else if (word == "div") tok_.kind = Tok::kDiv;
        else if (word == "mod") tok_.kind = Tok::kMod;
      }
      return true;
    }
    Fail(i, "unexpected character '" + std::string(src_.substr(i, Utf8Length(i))) + "'");
    return false;
  }

  size_t Utf8Length(size_t i) const {
    unsigned char c = static_cast<unsigned char>(src_[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    return std::min(n, src_.size() - i);
  }

  int NewNode(NodeKind kind, size_t offset) {
    Node n;
    n.kind = kind;
    n.position = static_cast<int32_t>(offset) + 1;
    out_.nodes.push_back(std::move(n));
    return static_cast<int>(out_.nodes.size() - 1);
  }

  void SetName(int node, std::string_view name) {
    out_.nodes[static_cast<size_t>(node)].payload = static_cast<uint32_t>(out_.names.size());
    out_.names.emplace_back(name);
  }

  void SetConstant(int node, Value value) {
    out_.nodes[static_cast<size_t>(node)].payload = static_cast<uint32_t>(out_.constants.size());
    out_.constants.push_back(std::move(value));
  }

  int SetChildren(int parent, const int* kids, size_t count) {
    out_.nodes[parent].first_child = static_cast<uint32_t>(out_.children.size());
    out_.nodes[parent].child_count = static_cast<uint32_t>(count);
    for (const int* it = kids; it != kids + count; ++it) {
      int k = *it;
      out_.children.push_back(static_cast<uint32_t>(k));
      Node& p = out_.nodes[static_cast<size_t>(parent)];
      int height = std::max<int>(p.height, out_.nodes[static_cast<size_t>(k)].height + 1);
      p.height = static_cast<uint16_t>(std::min(height, kMaxExpressionHeight + 1));
    }
    // A long chain like 1+1+1+... parses without recursion but would evaluate recursively.
    if (out_.nodes[static_cast<size_t>(parent)].height > kMaxExpressionHeight && error_.ok()) {
      Fail(tok_.offset, "expression too complex (more than " + std::to_string(kMaxExpressionHeight) +
                            " nested operations)");
    }
    return parent;
  }

  int Binary(BinaryOp op, size_t offset, int left, int right) {
    int n = NewNode(NodeKind::kBinary, offset);
    out_.nodes[n].op = op;
    const int kids[2] = {left, right};
    return SetChildren(n, kids, 2);
  }

  bool TooDeep(int depth) {
    if (depth <= kMaxExpressionDepth) return false;
    Fail(tok_.offset, "expression nested deeper than " + std::to_string(kMaxExpressionDepth) + " levels");
    return true;
  }

  // Binding strength of a binary operator token, 0 for any other token.
  static int Precedence(Tok kind, BinaryOp* op) {
    switch (kind) {
      case Tok::kOr: *op = BinaryOp::kOr; return 1;
      case Tok::kAnd: *op = BinaryOp::kAnd; return 2;
      case Tok::kEq: *op = BinaryOp::kEq; return 3;
      case Tok::kNe: *op = BinaryOp::kNe; return 3;
      case Tok::kLt: *op = BinaryOp::kLt; return 4;
      case Tok::kLe: *op = BinaryOp::kLe; return 4;
      case Tok::kGt: *op = BinaryOp::kGt; return 4;
      case Tok::kGe: *op = BinaryOp::kGe; return 4;
      case Tok::kPlus: *op = BinaryOp::kAdd; return 5;
      case Tok::kMinus: *op = BinaryOp::kSub; return 5;
      case Tok::kStar: *op = BinaryOp::kMul; return 6;
      case Tok::kDiv: *op = BinaryOp::kDiv; return 6;
      case Tok::kMod: *op = BinaryOp::kMod; return 6;
      default: return 0;
    }
  }

  // A whole (sub)expression; -1 means error_ is set.
  int ParseOr(int depth) {
    if (TooDeep(depth)) return -1;
    return ParseBinary(depth, 1);
  }

  // Precedence climbing: operands joined by operators binding at least `min_precedence`, all
  // left-associative. One loop instead of a function per level: a primary costs one call, not six.
  int ParseBinary(int depth, int min_precedence) {
    int left = ParseUnary(depth);
    while (left >= 0) {
      BinaryOp op;
      const int precedence = Precedence(tok_.kind, &op);
      if (precedence == 0 || precedence < min_precedence) return left;
      size_t at = tok_.offset;
      if (!Advance()) return -1;
      int right = ParseBinary(depth, precedence + 1);
      if (right < 0) return -1;
      left = Binary(op, at, left, right);
    }
    return left;
  }

  int ParseUnary(int depth) {
    if (tok_.kind == Tok::kMinus) {
      if (TooDeep(depth + 1)) return -1;
      size_t at = tok_.offset;
      if (!Advance()) return -1;
      int operand = ParseUnary(depth + 1);
      if (operand < 0) return -1;
      int n = NewNode(NodeKind::kNegate, at);
      return SetChildren(n, &operand, 1);
    }
    return ParsePrimary(depth);
  }

  int ParsePrimary(int depth) {
    Token t = tok_;
    switch (t.kind) {
      case Tok::kNumber: {
        int n = NewNode(NodeKind::kConstant, t.offset);
        SetConstant(n, Value::Number(ParseNumber(t.text)));
        return Advance() ? n : -1;
      }
      case Tok::kString: {
        int n = NewNode(NodeKind::kConstant, t.offset);
        SetConstant(n, Value::String(std::string(t.text)));
        return Advance() ? n : -1;
      }
      case Tok::kRef: {
        int n = NewNode(NodeKind::kRef, t.offset);
        SetName(n, t.text);
        return Advance() ? n : -1;
      }
      case Tok::kDot: {
        int n = NewNode(NodeKind::kSelf, t.offset);
        return Advance() ? n : -1;
      }
      case Tok::kLParen: {
        if (!Advance()) return -1;
        int inner = ParseOr(depth + 1);
        if (inner < 0) return -1;
        if (tok_.kind != Tok::kRParen) {
          Fail(tok_.offset, "expected ')' but found " + Describe(tok_));
          return -1;
        }
        return Advance() ? inner : -1;
      }
      case Tok::kName:
        return ParseNameOrCall(depth);
      default:
        Fail(t.offset, "expected a value, ${name} or a function call but found " + Describe(t));
        return -1;
    }
  }

  int ParseNameOrCall(int depth) {
    Token t = tok_;
    if (!Advance()) return -1;
    if (tok_.kind != Tok::kLParen) {
      if (t.text == "true" || t.text == "false") {
        Fail(t.offset, "write " + std::string(t.text) + "() with parentheses, or '" + std::string(t.text) + "' as a string");
        return -1;
      }
      int n = NewNode(NodeKind::kAttribute, t.offset);
      SetName(n, t.text);
      return n;
    }
    if (TooDeep(depth + 1)) return -1;
    const FunctionSpec* spec = FindFunction(t.text);
    if (spec == nullptr) {
      std::vector<std::string_view> names;
      for (const FunctionSpec& f : AllFunctions()) names.push_back(f.name);
      Fail(t.offset, "unknown function " + std::string(t.text) + "()" + DidYouMean(t.text, names, "", "()"));
      return -1;
    }
    if (!Advance()) return -1;  // consume '('
    // This call's arguments are args_[base, end): nested calls push and pop above them.
    const size_t base = args_.size();
    struct PopArgs {
      std::vector<int>& stack;
      size_t base;
      ~PopArgs() { stack.resize(base); }
    } pop_args{args_, base};
    if (tok_.kind != Tok::kRParen) {
      while (true) {
        int arg = ParseOr(depth + 1);
        if (arg < 0) return -1;
        args_.push_back(arg);
        if (tok_.kind == Tok::kComma) {
          if (!Advance()) return -1;
          continue;
        }
        if (tok_.kind == Tok::kRParen) break;
        Fail(tok_.offset, "expected ',' or ')' in the arguments of " + std::string(t.text) + "() but found " + Describe(tok_));
        return -1;
      }
    }
    int count = static_cast<int>(args_.size() - base);
    if (count < spec->min_args || (spec->max_args >= 0 && count > spec->max_args)) {
      std::string expected = spec->min_args == spec->max_args ? std::to_string(spec->min_args)
                             : spec->max_args < 0 ? "at least " + std::to_string(spec->min_args)
                             : std::to_string(spec->min_args) + " to " + std::to_string(spec->max_args);
      Fail(t.offset, std::string(t.text) + "() takes " + expected + " argument" +
                         (spec->max_args == 1 && spec->min_args == 1 ? "" : "s") + ", not " + std::to_string(count));
      return -1;
    }
    if (!Advance()) return -1;  // consume ')'
    if (count == 0 && (t.text == "string" || t.text == "string-length" || t.text == "normalize-space")) {
      // XPath's context node: string-length() means string-length(.).
      args_.push_back(NewNode(NodeKind::kSelf, t.offset));
    }
    int n = NewNode(NodeKind::kCall, t.offset);
    SetName(n, t.text);
    out_.nodes[n].function = spec;
    return SetChildren(n, args_.data() + base, args_.size() - base);
  }

  std::string_view src_;
  size_t pos_ = 0;
  Token tok_;
  Tok prev_ = Tok::kEnd;
  Expression& out_;
  std::vector<int>& args_;
  Status error_;
};

}  // namespace

Result<Expression> ParseExpression(std::string_view source) {
  thread_local ParserScratch scratch;
  return Parser(source, scratch).Run();
}

void CompactExpression(Expression& e) {
  if (e.nodes.empty()) return;
  Expression out;
  // Children before parents, as the parser made them: an explicit stack, post-order.
  std::vector<uint32_t> new_index(e.nodes.size(), UINT32_MAX);
  std::vector<std::pair<uint32_t, bool>> stack{{e.root, false}};
  while (!stack.empty()) {
    auto [index, expanded] = stack.back();
    stack.pop_back();
    const Node& n = e.nodes[index];
    if (!expanded) {
      stack.push_back({index, true});
      for (uint32_t k = n.child_count; k > 0; --k) stack.push_back({e.child(n, k - 1), false});
      continue;
    }
    Node copy = n;
    copy.first_child = static_cast<uint32_t>(out.children.size());
    for (uint32_t k = 0; k < n.child_count; ++k) out.children.push_back(new_index[e.child(n, k)]);
    if (n.kind == NodeKind::kConstant) {
      copy.payload = static_cast<uint32_t>(out.constants.size());
      out.constants.push_back(e.constants[n.payload]);
    } else if (n.kind == NodeKind::kRef || n.kind == NodeKind::kRefAll || n.kind == NodeKind::kAttribute ||
               n.kind == NodeKind::kCall) {
      copy.payload = static_cast<uint32_t>(out.names.size());
      out.names.push_back(e.names[n.payload]);
    }
    new_index[index] = static_cast<uint32_t>(out.nodes.size());
    out.nodes.push_back(copy);
  }
  out.root = static_cast<uint32_t>(out.nodes.size() - 1);
  out.nodes.shrink_to_fit();
  out.children.shrink_to_fit();
  e = std::move(out);
}

}  // namespace chosa
