<?xml version="1.0" encoding="UTF-8"?>
<StyledLayerDescriptor version="1.1.0"
  xmlns="http://www.opengis.net/sld" xmlns:se="http://www.opengis.net/se"
  xmlns:ogc="http://www.opengis.net/ogc" xmlns:xlink="http://www.w3.org/1999/xlink"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.opengis.net/sld http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd">
 <NamedLayer>
  <se:Name>ocsol</se:Name>
  <UserStyle>
   <se:Name>couverture</se:Name>
   <se:Description>
    <se:Title>Couverture du sol (nomenclature OCS GE)</se:Title>
    <se:Abstract>Couleurs officielles de la nomenclature de couverture OCS GE, par code_cs.</se:Abstract>
   </se:Description>
   <se:FeatureTypeStyle>
   <se:Rule>
    <se:Name>CS1.1.1.1</se:Name>
    <se:Description><se:Title>CS1.1.1.1 – Zones bâties</se:Title></se:Description>
    <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS1.1.1.1</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
    <se:PolygonSymbolizer>
     <se:Fill><se:SvgParameter name="fill">#ff377a</se:SvgParameter></se:Fill>
    </se:PolygonSymbolizer>
   </se:Rule>
   <se:Rule>
    <se:Name>CS1.1.1.2</se:Name>
    <se:Description><se:Title>CS1.1.1.2 – Zones non bâties (routes, places, parkings)</se:Title></se:Description>
    <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS1.1.1.2</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
    <se:PolygonSymbolizer>
     <se:Fill><se:SvgParameter name="fill">#ff9191</se:SvgParameter></se:Fill>
    </se:PolygonSymbolizer>
   </se:Rule>
   <se:Rule>
    <se:Name>CS1.1.2.1</se:Name>
    <se:Description><se:Title>CS1.1.2.1 – Zones à matériaux minéraux</se:Title></se:Description>
    <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS1.1.2.1</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
    <se:PolygonSymbolizer>
     <se:Fill><se:SvgParameter name="fill">#ffff99</se:SvgParameter></se:Fill>
    </se:PolygonSymbolizer>
   </se:Rule>
   <se:Rule>
    <se:Name>CS1.1.2.2</se:Name>
    <se:Description><se:Title>CS1.1.2.2 – Zones à autres matériaux composites</se:Title></se:Description>
    <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS1.1.2.2</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
    <se:PolygonSymbolizer>
     <se:Fill><se:SvgParameter name="fill">#a64d00</se:SvgParameter></se:Fill>
    </se:PolygonSymbolizer>
   </se:Rule>
   <se:Rule>
    <se:Name>CS1.2.1</se:Name>
    <se:Description><se:Title>CS1.2.1 – Sols nus</se:Title></se:Description>
    <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS1.2.1</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
    <se:PolygonSymbolizer>
     <se:Fill><se:SvgParameter name="fill">#cccccc</se:SvgParameter></se:Fill>
    </se:PolygonSymbolizer>
   </se:Rule>
   <se:Rule>
    <se:Name>CS1.2.2</se:Name>
    <se:Description><se:Title>CS1.2.2 – Surfaces d'eau</se:Title></se:Description>
    <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS1.2.2</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
    <se:PolygonSymbolizer>
     <se:Fill><se:SvgParameter name="fill">#00ccf2</se:SvgParameter></se:Fill>
    </se:PolygonSymbolizer>
   </se:Rule>
   <se:Rule>
    <se:Name>CS1.2.3</se:Name>
    <se:Description><se:Title>CS1.2.3 – Névés et glaciers</se:Title></se:Description>
    <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS1.2.3</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
    <se:PolygonSymbolizer>
     <se:Fill><se:SvgParameter name="fill">#a6e6cc</se:SvgParameter></se:Fill>
    </se:PolygonSymbolizer>
   </se:Rule>
   <se:Rule>
    <se:Name>CS2.1.1.1</se:Name>
    <se:Description><se:Title>CS2.1.1.1 – Peuplements de feuillus</se:Title></se:Description>
    <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS2.1.1.1</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
    <se:PolygonSymbolizer>
     <se:Fill><se:SvgParameter name="fill">#80ff00</se:SvgParameter></se:Fill>
    </se:PolygonSymbolizer>
   </se:Rule>
   <se:Rule>
    <se:Name>CS2.1.1.2</se:Name>
    <se:Description><se:Title>CS2.1.1.2 – Peuplements de conifères</se:Title></se:Description>
    <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS2.1.1.2</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
    <se:PolygonSymbolizer>
     <se:Fill><se:SvgParameter name="fill">#00a600</se:SvgParameter></se:Fill>
    </se:PolygonSymbolizer>
   </se:Rule>
   <se:Rule>
    <se:Name>CS2.1.1.3</se:Name>
    <se:Description><se:Title>CS2.1.1.3 – Peuplements mixtes</se:Title></se:Description>
    <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS2.1.1.3</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
    <se:PolygonSymbolizer>
     <se:Fill><se:SvgParameter name="fill">#80be00</se:SvgParameter></se:Fill>
    </se:PolygonSymbolizer>
   </se:Rule>
   <se:Rule>
    <se:Name>CS2.1.2</se:Name>
    <se:Description><se:Title>CS2.1.2 – Formations arbustives et sous-arbrisseaux</se:Title></se:Description>
    <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS2.1.2</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
    <se:PolygonSymbolizer>
     <se:Fill><se:SvgParameter name="fill">#a6ff80</se:SvgParameter></se:Fill>
    </se:PolygonSymbolizer>
   </se:Rule>
   <se:Rule>
    <se:Name>CS2.1.3</se:Name>
    <se:Description><se:Title>CS2.1.3 – Autres formations ligneuses</se:Title></se:Description>
    <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS2.1.3</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
    <se:PolygonSymbolizer>
     <se:Fill><se:SvgParameter name="fill">#e68000</se:SvgParameter></se:Fill>
    </se:PolygonSymbolizer>
   </se:Rule>
   <se:Rule>
    <se:Name>CS2.2.1</se:Name>
    <se:Description><se:Title>CS2.2.1 – Formations herbacées</se:Title></se:Description>
    <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS2.2.1</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
    <se:PolygonSymbolizer>
     <se:Fill><se:SvgParameter name="fill">#ccf24d</se:SvgParameter></se:Fill>
    </se:PolygonSymbolizer>
   </se:Rule>
   <se:Rule>
    <se:Name>CS2.2.2</se:Name>
    <se:Description><se:Title>CS2.2.2 – Autres formations non ligneuses</se:Title></se:Description>
    <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS2.2.2</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
    <se:PolygonSymbolizer>
     <se:Fill><se:SvgParameter name="fill">#ccffcc</se:SvgParameter></se:Fill>
    </se:PolygonSymbolizer>
   </se:Rule>
   <se:Rule>
    <se:Name>contours</se:Name>
    <se:Description><se:Title>Limites des polygones (grandes échelles)</se:Title></se:Description>
    <se:MaxScaleDenominator>12500</se:MaxScaleDenominator>
    <se:LineSymbolizer>
     <se:Stroke>
      <se:SvgParameter name="stroke">#5a5a5a</se:SvgParameter>
      <se:SvgParameter name="stroke-opacity">0.6</se:SvgParameter>
      <se:SvgParameter name="stroke-width">0.5</se:SvgParameter>
     </se:Stroke>
    </se:LineSymbolizer>
   </se:Rule>
   </se:FeatureTypeStyle>
  </UserStyle>
 </NamedLayer>
</StyledLayerDescriptor>
