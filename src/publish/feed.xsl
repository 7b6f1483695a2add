<?xml version="1.0" encoding="utf-8"?>
<!-- Shows bantin's RSS and Atom feeds as a page to a person who opens a feed URL in a browser.
     Feed readers never apply it. Text only: the feed's HTML content is not rendered here. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="utf-8" doctype-system="about:legacy-compat"/>

  <xsl:template match="/">
    <html lang="vi">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="rss/channel/title | atom:feed/atom:title"/> (feed)</title>
        <style>
          body { font: 16px/1.5 system-ui, sans-serif; max-width: 46em; margin: 2em auto; padding: 0 1em; color: #222; }
          .note { background: #fff8e1; border: 1px solid #f0d98c; padding: .8em 1em; border-radius: 6px; }
          code { background: #f3f3f3; padding: .1em .3em; border-radius: 3px; word-break: break-all; }
          li { list-style: none; margin: 1.4em 0; }
          li h2 { font-size: 1.1em; margin: 0; }
          .date { color: #666; font-size: .9em; }
        </style>
      </head>
      <body>
        <p class="note">This is a news feed. Copy its address into a feed reader to subscribe:
          <code><xsl:value-of select="rss/channel/atom:link[@rel='self']/@href | atom:feed/atom:link[@rel='self']/@href"/></code></p>
        <xsl:apply-templates select="rss/channel | atom:feed"/>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="channel">
    <h1><a href="{link}"><xsl:value-of select="title"/></a></h1>
    <p><xsl:value-of select="description"/></p>
    <ul>
      <xsl:for-each select="item">
        <li>
          <h2><a href="{link}"><xsl:value-of select="title"/></a></h2>
          <div class="date"><xsl:value-of select="pubDate"/></div>
          <p><xsl:value-of select="description"/></p>
        </li>
      </xsl:for-each>
    </ul>
  </xsl:template>

  <xsl:template match="atom:feed">
    <h1><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h1>
    <p><xsl:value-of select="atom:subtitle"/></p>
    <ul>
      <xsl:for-each select="atom:entry">
        <li>
          <h2><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h2>
          <div class="date"><xsl:value-of select="atom:published"/></div>
          <p><xsl:value-of select="atom:summary"/></p>
        </li>
      </xsl:for-each>
    </ul>
  </xsl:template>
</xsl:stylesheet>
